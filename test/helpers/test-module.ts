import type { OcpiModule } from '../../src/ocpi/module.ts';
import { hubModules } from '../../src/hub.ts';
import { inWindow, pageHeaders, parsePage } from '../../src/ocpi/pagination.ts';

/**
 * A functional module that exists only in tests, so the transport (token kinds, scopes,
 * routing headers, pagination) is exercised over real HTTP before the real modules exist.
 * Its list holds 25 objects, one a minute from 2026-01-01T00:00:00Z.
 */
export const items = Array.from({ length: 25 }, (_, i) => ({ id: `item-${i}`, last_updated: new Date(Date.UTC(2026, 0, 1, 0, i)) }));

export const pingModule: OcpiModule = {
  identifier: 'testping',
  endpoint: { path: 'testping', roles: ['SENDER'] },
  routes: [
    {
      method: 'GET',
      path: '/testping',
      handle: async (req) => {
        const max = req.services.config.paginationMaxLimit;
        const page = parsePage(req.query, max);
        const matching = items.filter((item) => inWindow(page, item.last_updated));
        const data = matching.slice(page.offset, page.offset + page.limit);
        return { data, headers: pageHeaders(req.url, req.query, page, data.length, matching.length, max) };
      },
    },
    { method: 'PUT', path: '/testping/:id', handle: async (req) => ({ data: { id: req.params.id, got: req.body } }) },
  ],
};

export const modulesWithPing = [...hubModules, pingModule];
