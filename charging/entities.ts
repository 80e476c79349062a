import { EntitySchema } from '@mikro-orm/core';

export type OrderState = 'REQUESTED' | 'PENDING' | 'ACTIVE' | 'STOPPING' | 'AWAITING_CDR' | 'COMPLETED' | 'FAILED' | 'EXCEPTION';
/** COMMAND_RETRY: the CPO throttled the command (429/503); it is sent once more at followUpAt. */
export type FollowUpKind = 'RESULT_DEADLINE' | 'SESSION_QUERY' | 'COMMAND_RETRY';

/**
 * A charging order: our record of one user's charge, from the app's "start" (or a session a
 * CPO reports for one of our tokens) to the CDR. `id` is the authorization_reference.
 * `followUp*` is the durable schedule of what the hub still has to check with the CPO.
 */
export interface ChargingOrder {
  id: string;
  seq?: string;
  partnerId: string;
  origin: 'APP' | 'CHARGER';
  state: OrderState;
  /** Why the order is in its state (the last transition's cause). */
  cause: string;
  /** What the app shows the driver. */
  message: string;
  locationRef?: string | null;
  locationId: string;
  evseRef?: string | null;
  evseUid?: string | null;
  connectorId?: string | null;
  tokenUid: string;
  tokenType: string;
  sessionKey?: string | null;
  sessionId?: string | null;
  idempotencyKey?: string | null;
  requestFingerprint?: string | null;
  followUpKind?: FollowUpKind | null;
  followUpAt?: Date | null;
  followUpCount: number;
  unconfirmedSince?: Date | null;
  claimedUntil?: Date | null;
  /** When the order entered its state: the watchdog measures silence and waiting from it. */
  stateChangedAt: Date;
  /** The tariff in force for the connector when the order started: what the user saw, what we bill. */
  tariffSnapshot?: Record<string, unknown> | null;
  tariffVersionId?: string | null;
  tariffTimeZone?: string | null;
  /** What the user is billed, from the settled CDR (decimal strings, major unit). */
  billedCurrency?: string | null;
  billedExclVat?: string | null;
  billedInclVat?: string | null;
  cdrRef?: string | null;
  /** Something operations must know that the state does not say (a session that matched several orders). */
  notice?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ChargingOrderEntity = new EntitySchema<ChargingOrder>({
  name: 'ChargingOrder',
  tableName: 'charging_orders',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    partnerId: { type: 'uuid' },
    origin: { type: 'string' },
    state: { type: 'string' },
    cause: { type: 'string' },
    message: { type: 'text' },
    locationRef: { type: 'uuid', nullable: true },
    locationId: { type: 'string' },
    evseRef: { type: 'uuid', nullable: true },
    evseUid: { type: 'string', nullable: true },
    connectorId: { type: 'string', nullable: true },
    tokenUid: { type: 'string' },
    tokenType: { type: 'string' },
    sessionKey: { type: 'string', nullable: true },
    sessionId: { type: 'string', nullable: true },
    idempotencyKey: { type: 'string', nullable: true },
    requestFingerprint: { type: 'string', nullable: true },
    followUpKind: { type: 'string', nullable: true },
    followUpAt: { type: 'Date', nullable: true },
    followUpCount: { type: 'integer' },
    unconfirmedSince: { type: 'Date', nullable: true },
    claimedUntil: { type: 'Date', nullable: true },
    stateChangedAt: { type: 'Date' },
    tariffSnapshot: { type: 'json', nullable: true },
    tariffVersionId: { type: 'uuid', nullable: true },
    tariffTimeZone: { type: 'string', nullable: true },
    billedCurrency: { type: 'string', nullable: true },
    billedExclVat: { type: 'decimal', precision: 18, scale: 4, nullable: true },
    billedInclVat: { type: 'decimal', precision: 18, scale: 4, nullable: true },
    cdrRef: { type: 'uuid', nullable: true },
    notice: { type: 'text', nullable: true },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export interface OrderEvent {
  id?: string;
  orderId: string;
  at: Date;
  cause: string;
  fromState?: string | null;
  toState?: string | null;
  detail?: unknown;
}

export const OrderEventEntity = new EntitySchema<OrderEvent>({
  name: 'OrderEvent',
  tableName: 'charging_order_events',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    orderId: { type: 'uuid' },
    at: { type: 'Date' },
    cause: { type: 'string' },
    fromState: { type: 'string', nullable: true },
    toState: { type: 'string', nullable: true },
    detail: { type: 'json', nullable: true },
  },
});

export type CommandType = 'START_SESSION' | 'STOP_SESSION' | 'UNLOCK_CONNECTOR';

/** A command sent to a CPO: what we sent, what it answered at once, and the CommandResult it posted later. */
export interface CommandRecord {
  id: string;
  orderId?: string | null;
  partnerId: string;
  type: CommandType;
  request: Record<string, unknown>;
  response?: Record<string, unknown> | null;
  responseAt?: Date | null;
  sendFailure?: string | null;
  result?: Record<string, unknown> | null;
  resultAt?: Date | null;
  createdAt: Date;
  createdBy?: string | null;
}

export const CommandEntity = new EntitySchema<CommandRecord>({
  name: 'CommandRecord',
  tableName: 'commands',
  properties: {
    id: { type: 'uuid', primary: true },
    orderId: { type: 'uuid', nullable: true },
    partnerId: { type: 'uuid' },
    type: { type: 'string' },
    request: { type: 'json' },
    response: { type: 'json', nullable: true },
    responseAt: { type: 'Date', nullable: true },
    sendFailure: { type: 'text', nullable: true },
    result: { type: 'json', nullable: true },
    resultAt: { type: 'Date', nullable: true },
    createdAt: { type: 'Date' },
    createdBy: { type: 'string', nullable: true },
  },
});

export const chargingEntities = [ChargingOrderEntity, OrderEventEntity, CommandEntity];
