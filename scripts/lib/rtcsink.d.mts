/** Where the rtcsink binary of the current sources is cached. */
export function rtcsinkBinPath(): string;
/** Ensures the binary of the current sources exists (building it with Go); returns its path. */
export function ensureRtcsink(): string;
