/**
 * One line per exchange: `→` for what we send the hub, `←` for what the hub asks of us. Only
 * the method, the path, the HTTP status and the OCPI status or command result: never a
 * token, never a body.
 */
export type Print = (line: string) => void;

export const stdoutPrint: Print = (line) => process.stdout.write(`${line}\n`);

export function outboundLine(method: string, url: string, httpStatus: number | string, detail?: string | number): string {
  return `→ ${method} ${pathOf(url)} ${httpStatus}${detail === undefined ? '' : ` ${detail}`}`;
}

export function inboundLine(method: string, path: string, httpStatus: number, detail?: string | number): string {
  return `← ${method} ${path} ${httpStatus}${detail === undefined ? '' : ` ${detail}`}`;
}

export function readyLine(versionsUrl: string, locations: number, center: { latitude: number; longitude: number }): string {
  return `ready versions=${versionsUrl} locations=${locations} center=${center.latitude},${center.longitude}`;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
