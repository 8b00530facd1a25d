/** Tables owned by the relay feature (see its migrations). Add them here as the feature grows. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RelayTables {}
