import type { Identity } from '../auth/tokens.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';

type Action = 'create' | 'update' | 'delete' | 'import' | 'login' | 'logout';

/** Writes the audit trail: who changed what and when, with the record before and after. */
export class AuditLog {
  readonly #models: Models;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(models: Models, logger: Logger, now: () => number = Date.now) {
    this.#models = models;
    this.#log = logger.child({ module: 'audit' });
    this.#now = now;
  }

  async record(
    who: Identity,
    action: Action,
    entity: string,
    entityId: string | null,
    before: unknown,
    after: unknown,
    regionCode: string | null = null,
  ): Promise<void> {
    await this.#models.AuditEntry.create({
      at: new Date(this.#now()),
      userId: who.userId,
      username: who.displayName,
      action,
      entity,
      entityId,
      before,
      after,
      regionCode,
    });
    this.#log.info({ userId: who.userId, action, entity, entityId }, 'audit');
  }
}
