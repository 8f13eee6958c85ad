import { useState } from 'react';

/** Shows a refusal the server gave, above the form that caused it. */
export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** Runs a change, shows its error, and reloads what the page shows after it succeeded. */
export function useAction(reload: () => void) {
  const [error, setError] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await work();
      reload();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };
  return { error, act, setError };
}
