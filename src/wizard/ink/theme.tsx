import { createContext, useContext } from 'react';

/** Colour is decided once (NO_COLOR, TERM=dumb) and read by every component through this context. */
export const ColorContext = createContext(true);

export function useColor(): (name: string) => string | undefined {
  const on = useContext(ColorContext);
  return (name) => (on ? name : undefined);
}

/**
 * `?` belongs to the help, except while a text field is open: the field then decides (it opens the help
 * from a field whose answers never hold `?`, and types it into a passphrase). Fields count themselves in.
 */
export const FieldHelpContext = createContext<{ open: { current: number }; toggle: () => void }>({
  open: { current: 0 },
  toggle: () => undefined,
});
