import { useState } from 'react';

/**
 * A "Copy" button that puts `text` on the clipboard and says so. Where the browser refuses (a
 * page not served over HTTPS or from localhost), `byHand` shows the text selected instead, for
 * the person to copy with the keyboard.
 */
export function CopyButton({ text, byHand, label }: { text: string; byHand: () => void; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  return (
    <>
      <button
        type="button"
        aria-label={label}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied('yes');
          } catch {
            byHand();
            setCopied('select');
          }
        }}
      >
        Copy
      </button>
      {copied === 'yes' && <span role="status">Copied</span>}
      {copied === 'select' && <span role="status">Selected: press Ctrl+C to copy</span>}
    </>
  );
}

/** Selects an element's text, as a person dragging over it would. */
export function selectContents(element: HTMLElement | null): void {
  if (element) window.getSelection()?.selectAllChildren(element);
}
