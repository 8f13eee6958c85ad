import { useState } from 'react';

/**
 * A new secret (a token), shown this once: the server keeps only its hash. A copy button puts it
 * on the clipboard; where the browser refuses (a page not served over HTTPS or from localhost),
 * the text is selected for the person to copy by hand.
 */
export function SecretOnce({ secret, label = 'Your new token' }: { secret: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  return (
    <div className="notice secret-once" data-testid="new-token">
      <p>{label}. Copy it now: it will not be shown again.</p>
      <div className="toolbar">
        <input readOnly aria-label={label} className="secret" value={secret} onFocus={(e) => e.currentTarget.select()} size={Math.min(60, secret.length + 2)} />
        <button
          type="button"
          onClick={async (e) => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied('yes');
            } catch {
              (e.currentTarget.previousElementSibling as HTMLInputElement | null)?.select();
              setCopied('select');
            }
          }}
        >
          Copy
        </button>
        {copied === 'yes' && <span role="status">Copied</span>}
        {copied === 'select' && <span role="status">Selected: press Ctrl+C to copy</span>}
      </div>
    </div>
  );
}
