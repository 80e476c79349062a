import { expect } from 'chai';
import { startTestHub } from '../helpers/hub.ts';
import { onboardCpo } from '../helpers/onboarding.ts';
import { b64 } from '../helpers/http.ts';

describe('durability', () => {
  it('keeps partners, tokens and the partner token across a restart on the same database', async () => {
    const first = await startTestHub();
    const cpo = await onboardCpo(first);
    await first.stop();

    const second = await startTestHub({ databaseName: first.databaseName, env: first.env });
    try {
      const detail = await second.admin('GET', `/partners/${cpo.id}`);
      expect(detail.body).to.include({ status: 'ACTIVE', version: '2.2.1', registered: true });
      expect((await second.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(200);
      // The partner's token B was kept encrypted and still decrypts: a rotation presents it.
      cpo.partner.seen = [];
      cpo.partner.accepted.add(cpo.partner.nextTokenC);
      const rotated = await second.admin('POST', `/partners/${cpo.id}/rotate-credentials`);
      expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
      expect(cpo.partner.seen[0]!.authorization).to.equal(`Token ${b64(cpo.tokenB)}`);
    } finally {
      await second.stop();
      await cpo.partner.stop();
    }
  });
});
