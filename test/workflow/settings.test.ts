import { expect } from 'chai';
import { DEFAULT_REGION, InvalidConfiguration, InvalidRegion, region } from '../../workflow/settings.ts';

describe('workflow/settings region', () => {
  it('is us-east-1 when neither variable is set', () => {
    expect(region({})).to.equal(DEFAULT_REGION);
  });

  it('treats an empty AWS_REGION or AWS_DEFAULT_REGION as unset', () => {
    expect(region({ AWS_REGION: '' })).to.equal(DEFAULT_REGION);
    expect(region({ AWS_DEFAULT_REGION: '' })).to.equal(DEFAULT_REGION);
    expect(region({ AWS_REGION: '', AWS_DEFAULT_REGION: '' })).to.equal(DEFAULT_REGION);
    expect(region({ AWS_REGION: '  ', AWS_DEFAULT_REGION: 'eu-west-3' })).to.equal('eu-west-3');
  });

  it('prefers AWS_REGION to AWS_DEFAULT_REGION', () => {
    expect(region({ AWS_REGION: 'ap-southeast-2', AWS_DEFAULT_REGION: 'eu-west-3' })).to.equal('ap-southeast-2');
    expect(region({ AWS_REGION: 'us-gov-west-1' })).to.equal('us-gov-west-1');
  });

  for (const [variable, value] of [
    ['AWS_REGION', 'us_east_1'],
    ['AWS_REGION', 'US-EAST-1'],
    ['AWS_DEFAULT_REGION', 'useast1'],
    ['AWS_REGION', 'us-east-1"\nfoo = "bar'],
  ]) {
    it(`refuses ${variable}=${JSON.stringify(value)} as InvalidRegion, naming the expected form`, () => {
      let thrown: unknown;
      try {
        region({ [variable!]: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(InvalidRegion).and.instanceOf(InvalidConfiguration);
      expect((thrown as Error).name).to.equal('InvalidRegion');
      expect((thrown as Error).message).to.include(variable).and.include('us-east-1');
    });
  }
});
