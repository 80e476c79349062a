/**
 * The OCPI objects the hub reads and writes, each with its schema in schemas/ (the canonical,
 * 2.2.1 model). Version adapters speak of objects by these names.
 */
export const OBJECT_SCHEMAS = {
  Versions: 'versions.json',
  VersionDetails: 'version-details.json',
  Credentials: 'credentials.json',
  Location: 'location.json',
  LocationPatch: 'location-patch.json',
  Evse: 'evse.json',
  EvsePatch: 'evse-patch.json',
  Connector: 'connector.json',
  ConnectorPatch: 'connector-patch.json',
  Session: 'session.json',
  SessionPatch: 'session-patch.json',
  Cdr: 'cdr.json',
  Tariff: 'tariff.json',
  Token: 'token.json',
  TokenPatch: 'token-patch.json',
  LocationReferences: 'location-references.json',
  AuthorizationInfo: 'authorization-info.json',
  StartSession: 'start-session.json',
  StopSession: 'stop-session.json',
  UnlockConnector: 'unlock-connector.json',
  ReserveNow: 'reserve-now.json',
  CancelReservation: 'cancel-reservation.json',
  CommandResponse: 'command-response.json',
  CommandResult: 'command-result.json',
} as const;

export type ObjectType = keyof typeof OBJECT_SCHEMAS;
