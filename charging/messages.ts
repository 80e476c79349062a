import type { OrderState } from './entities.ts';

/**
 * What the app shows the driver, by the cause of the order's state. Plain words, no OCPI
 * terms; a failure says what to do next. Causes without their own message fall back to the
 * state's.
 */
const BY_CAUSE: Record<string, string> = {
  START_REJECTED: 'The charger operator declined to start charging. Please choose another charger.',
  START_NOT_SUPPORTED: 'This charger cannot be started from the app. Please use a charging card or choose another charger.',
  START_UNKNOWN_SESSION: 'The charger operator could not take the request. Please try again in a moment.',
  START_REFUSED: 'The charger operator could not take the request. Please try again in a moment or choose another charger.',
  RESULT_EVSE_OCCUPIED: 'This charger is in use. Please choose another one.',
  RESULT_EVSE_INOPERATIVE: 'This charger is out of order. Please choose another one.',
  RESULT_TIMEOUT: 'The charger did not respond in time. Check that the cable is plugged in on both ends, then try again.',
  RESULT_FAILED: 'The charger could not start charging. Please try again or choose another charger.',
  RESULT_REJECTED: 'The charger refused to start charging. Please choose another charger.',
  RESULT_NOT_SUPPORTED: 'This charger cannot be started from the app. Please use a charging card or choose another charger.',
  START_UNCONFIRMED: 'Start could not be confirmed. If the car is charging, contact support; you will not be charged twice.',
  SESSION_ENDED_BEFORE_CONFIRMED: 'The charger ended the session before charging was confirmed. If you see a charge for it, contact support.',
  SESSION_INVALID: 'The charger operator cancelled this session; it will not be billed.',
  START_THROTTLED: 'The charger operator is busy: trying again in a moment…',
  START_OUTCOME_UNKNOWN: 'Waiting for the charger operator to confirm the start…',
  RESULT_NOT_RECEIVED: 'Waiting for the charger operator to confirm the start…',
  SESSION_STARTED_AT_CHARGER: 'Charging, started at the charger.',
  STOP_REJECTED: 'The charger operator declined to stop charging. Stop at the charger, or try again.',
  STOP_NOT_SUPPORTED: 'This charger cannot be stopped from the app. Stop at the charger.',
  STOP_UNKNOWN_SESSION: 'The charger operator no longer knows this session. If the car is still charging, stop at the charger.',
  STOP_REFUSED: 'The stop request could not be delivered. Please try again, or stop at the charger.',
  STOP_RESULT_FAILED: 'The charger could not stop charging. Stop at the charger, or try again.',
  STOP_RESULT_REJECTED: 'The charger refused to stop charging. Stop at the charger, or try again.',
  STOP_RESULT_TIMEOUT: 'The charger did not confirm the stop. Stop at the charger, or try again.',
  STOP_UNCONFIRMED: 'The stop could not be confirmed. If the car is still charging, stop at the charger or contact support.',
};

const BY_STATE: Record<OrderState, string> = {
  REQUESTED: 'Contacting the charger…',
  PENDING: 'Waiting for the charger to start…',
  ACTIVE: 'Charging.',
  STOPPING: 'Stopping…',
  AWAITING_CDR: 'Charging finished. The final cost will follow when the charger operator sends the bill.',
  COMPLETED: 'Charging finished and billed.',
  FAILED: 'Charging could not be started.',
  EXCEPTION: 'This session is being checked by our support team. You will only be charged for what the charger measured.',
};

export function messageFor(state: OrderState, cause: string): string {
  return BY_CAUSE[cause] ?? BY_STATE[state];
}
