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

AWSCLI_DATA = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')


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
