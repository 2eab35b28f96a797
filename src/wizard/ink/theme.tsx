import { createContext, useContext } from 'react';

/** Colour is decided once (NO_COLOR, TERM=dumb) and read by every component through this context. */
export const ColorContext = createContext(true);

export function useColor(): (name: string) => string | undefined {
  const on = useContext(ColorContext);
  return (name) => (on ? name : undefined);
}
