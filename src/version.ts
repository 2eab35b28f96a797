/** Replaced at build time from package.json; the fallback is for running the sources directly. */
declare const __NBSECURE_VERSION__: string | undefined;
export const VERSION: string = typeof __NBSECURE_VERSION__ === 'string' ? __NBSECURE_VERSION__ : '0.0.0-dev';
