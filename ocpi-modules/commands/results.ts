import type { OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, isUuid } from '../../src/errors.ts';
import type { CommandResult } from '../../src/ocpi/types.ts';
import { commandResultArrived } from '../../charging/link.ts';

/**
 * The CPO's CommandResult, POSTed to the response_url we gave: `/2.2.1/commands/{type}/{id}`.
 * It is accepted only from the partner the command was sent to, for that command type, and
 * only once: a repeat is acknowledged and changes nothing.
 */
const TYPES = ['START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'];

export const resultRoutes: OcpiRoute[] = [
  {
    method: 'POST',
    path: '/commands/:command/:uid',
    async handle(req) {
      const { command: type = '', uid = '' } = req.params;
      const notYours = () => {
        req.log.warn({ type, uid, partner: req.caller.partner.id }, 'CommandResult for a command this partner was not sent: refused');
        return new HubError('NOT_FOUND', `unknown command ${type}/${uid}`);
      };
      if (!TYPES.includes(type) || !isUuid(uid)) throw notYours();
      const result = await req.accept<CommandResult>('CommandResult', req.body);
      const now = req.services.clock.now();
      const known = await req.em.transactional((tx) => commandResultArrived(tx, req.services, req.caller.partner.id, type, uid, result, { now, log: req.log }));
      if (!known) throw notYours();
      return {};
    },
  },
];
