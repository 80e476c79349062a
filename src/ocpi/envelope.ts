import { formatDateTime } from './datetime.ts';

/** The OCPI response envelope, on every response including HTTP-level errors. */
export interface Envelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

export function envelope<T>(now: Date, statusCode: number, data?: T, message?: string): Envelope<T> {
  return {
    ...(data !== undefined ? { data } : {}),
    status_code: statusCode,
    ...(message !== undefined ? { status_message: message } : {}),
    timestamp: formatDateTime(now),
  };
}
