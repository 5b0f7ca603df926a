import { expect } from 'chai';
import { describeRegion, profileRegion, resolveRegion, sharedConfigPath } from '../../stacks/region.ts';
import { leavesNoTempFolder } from './synth.ts';

const CONFIG = [
  '# comment',
  '[default]',
  'region = us-west-2',
  '',
  '[profile work]',
  'output = json',
  'region=eu-central-1 ; trailing comment',
  '',
  '[profile empty]',
  'region =',
].join('\n');

describe('stacks/region', () => {
  leavesNoTempFolder();
  describe('profileRegion', () => {
    it('reads the region of [default] and of [profile name]', () => {
      expect(profileRegion(CONFIG, 'default')).to.equal('us-west-2');
      expect(profileRegion(CONFIG, 'work')).to.equal('eu-central-1');
    });

    it('finds nothing for a profile without a region, an empty one, or one the file lacks', () => {
      expect(profileRegion(CONFIG, 'empty')).to.be.undefined;
      expect(profileRegion(CONFIG, 'missing')).to.be.undefined;
      expect(profileRegion('', 'default')).to.be.undefined;
    });
  });

  describe('resolveRegion', () => {
    const read = () => CONFIG;

    it('takes AWS_REGION, then AWS_DEFAULT_REGION, then the profile, then the default, naming the source', () => {
      expect(resolveRegion({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1' }, read)).to.deep.equal({ region: 'ap-south-1', source: 'AWS_REGION' });
      expect(resolveRegion({ AWS_DEFAULT_REGION: 'sa-east-1' }, read)).to.deep.equal({ region: 'sa-east-1', source: 'AWS_DEFAULT_REGION' });
      expect(resolveRegion({ AWS_PROFILE: 'work' }, read)).to.deep.equal({ region: 'eu-central-1', source: 'profile work' });
      expect(resolveRegion({}, read)).to.deep.equal({ region: 'us-west-2', source: 'profile default' });
      expect(resolveRegion({}, () => undefined)).to.deep.equal({ region: 'us-east-1', source: 'default' });
    });

    it('counts empty variables as unset', () => {
      expect(resolveRegion({ AWS_REGION: '', AWS_DEFAULT_REGION: ' ', AWS_PROFILE: '' }, read)).to.deep.equal({ region: 'us-west-2', source: 'profile default' });
    });

    it('accepts the regions of every partition and refuses a malformed one with InvalidRegion', () => {
      for (const region of ['us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eu-central-2']) {
        expect(resolveRegion({ AWS_REGION: region }, read).region).to.equal(region);
      }
      for (const region of ['EU-WEST-1', 'eu-west', 'eu_west_1', 'eu-west-1; rm']) {
        expect(() => resolveRegion({ AWS_REGION: region }, read), region).to.throw(/AWS_REGION/).with.property('name', 'InvalidRegion');
      }
    });
  });

  it('reads the shared config file from AWS_CONFIG_FILE, else ~/.aws/config', () => {
    expect(sharedConfigPath({ AWS_CONFIG_FILE: '/etc/aws.conf' }, '/home/u')).to.equal('/etc/aws.conf');
    expect(sharedConfigPath({ AWS_CONFIG_FILE: '' }, '/home/u')).to.equal('/home/u/.aws/config');
  });

  it('says where the region came from, and when it is only the default', () => {
    expect(describeRegion({ region: 'eu-west-1', source: 'profile work' })).to.equal('eu-west-1 (from profile work)');
    expect(describeRegion({ region: 'us-east-1', source: 'default' })).to.match(/^us-east-1 \(no AWS_REGION, AWS_DEFAULT_REGION or profile region set/);
  });
});
