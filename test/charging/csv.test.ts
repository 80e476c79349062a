import { expect } from 'chai';
import { toCsv } from '../../charging/csv.ts';

describe('CSV for spreadsheets', () => {
  it('quotes what needs quoting, keeps numbers as numbers, and never lets text run as a formula', () => {
    const csv = toCsv(['name', 'amount', 'note'], [
      { name: 'Laden, Gent "Zuid"', amount: -1.5, note: null },
      { name: '=HYPERLINK("http://x")', amount: 0, note: '+31 20' },
      { name: 'Électricité', amount: 12.3456, note: '@me' },
    ]);
    expect(csv).to.equal('\ufeffname,amount,note\r\n"Laden, Gent ""Zuid""",-1.5,\r\n"\'=HYPERLINK(""http://x"")",0,"\'+31 20"\r\nÉlectricité,12.3456,"\'@me"\r\n');
  });
});
