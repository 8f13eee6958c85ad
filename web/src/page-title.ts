import { useEffect } from 'react';

const APP = 'Modelyard';

/** Sets the browser tab's title for the page shown: its own parts, most specific first, then the app's name. */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const title = [...parts.filter((p): p is string => Boolean(p)), APP].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** The same, as an element, for a page that knows its title only once its data is there. */
export function PageTitle({ parts }: { parts: (string | null | undefined)[] }): null {
  usePageTitle(...parts);
  return null;
}
