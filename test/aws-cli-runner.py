# The AWS CLI's own code kept loaded, for the tests: each stdin line is one `aws` command as JSON,
# {"args": [...], "env": {...}}; each answer is one stdout line, {"rc", "stdout", "stderr"}.
# It calls awscli.clidriver as the `aws` script does (as awscli's own tests do), so the command
# parses, sends and prints exactly what `aws` would; only Python's start and awscli's import
# (most of a second a command) happen once per runner instead of once per command.
import io
import json
import os
import sys

import awscli
import awscli.clidriver
import botocore.loaders
import botocore.session

AWSCLI_DATA = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')

# What awscli and botocore read from HOME as they are imported (caches, history, SSO tokens, none
# of which the tests use) is the runner's own HOME, which points nowhere (test/aws-command.ts).
# The models folder every command searches is the command's: ~/.aws/models under its HOME.
botocore_create_loader = botocore.session.create_loader
loaders = {}


def create_loader(search_path_string=None):
    """One loader per data path and models folder: the JSON files that every command reads (the
    service models, endpoints, partitions) are parsed once, not once a command."""
    key = (search_path_string, botocore.loaders.Loader.CUSTOMER_DATA_PATH)
    if key not in loaders:
        loaders[key] = botocore_create_loader(search_path_string)
    return loaders[key]


botocore.session.create_loader = create_loader


def text_stream(errors='strict'):
    return io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors=errors, newline='', write_through=True)


def run(args, env):
    # The command's environment is the test's alone, plus what the `aws` script and awscli's
    # import add to every command's.
    os.environ.clear()
    os.environ.update(env)
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    os.environ['AWS_DATA_PATH'] = os.pathsep.join([*filter(None, [env.get('AWS_DATA_PATH')]), AWSCLI_DATA])
    botocore.loaders.Loader.CUSTOMER_DATA_PATH = os.path.join(os.path.expanduser('~'), '.aws', 'models')
    stdout, stderr = text_stream(), text_stream('replace')
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b''), encoding='utf-8'), stdout, stderr
    sys.argv = ['aws', *args]
    try:
        rc = awscli.clidriver.main()
    except SystemExit as exit:
        rc = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
    return {
        'rc': rc,
        'stdout': stdout.buffer.getvalue().decode('utf-8'),
        'stderr': stderr.buffer.getvalue().decode('utf-8', 'replace'),
    }


# The first line says which AWS CLI this is, as `aws --version` does.
print(json.dumps(run(['--version'], dict(os.environ))), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps(run(request['args'], request['env'])), flush=True)
