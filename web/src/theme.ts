/**
 * The page's colours (styles.css), for what is drawn on a canvas rather than styled: axes and
 * their labels follow the light or dark scheme the page is shown in.
 */
export function themeColour(name: '--text' | '--muted' | '--border' | '--border-strong'): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#444';
}
