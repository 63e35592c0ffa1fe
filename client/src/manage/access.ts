import type { Role } from '../../../server/contract/api.ts';

/** Who reads and who writes a resource of the management API. */
export interface ResourceAccess {
  read: readonly Role[];
  write: readonly Role[];
}

/**
 * Who may do what with the panels of 听课评课 and 网络教研, as the server authorizes it
 * (server/resources/rubrics.ts, alliances.ts, researchSessions.ts; tests/unit/managePanels.test.ts
 * checks these against the server's lists). The server scopes further: a bureau writes in its
 * region only, a teacher reads its own alliances and schedules sessions of those it leads.
 */
export const PANEL_ACCESS = {
  rubrics: {
    read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
    write: ['admin', 'bureau'],
  },
  alliances: {
    read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
    write: ['admin', 'bureau'],
  },
  'research-sessions': {
    read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
    write: ['admin', 'bureau', 'teacher'],
  },
} as const satisfies Record<string, ResourceAccess>;

/** Whether `role` may read (`'read'`) or write (`'write'`) `resource`. */
export function may(role: Role, resource: keyof typeof PANEL_ACCESS, what: keyof ResourceAccess): boolean {
  return (PANEL_ACCESS[resource][what] as readonly Role[]).includes(role);
}
