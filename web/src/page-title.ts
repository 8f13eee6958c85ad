import { useEffect } from 'react';

const APP = 'Modelyard';

/** Sets the browser tab's title for the page shown: its own parts, most specific first, then the app's name. */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const title = [...parts.filter((p): p is string => Boolean(p)), APP].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
