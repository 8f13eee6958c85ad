import { useRef } from 'react';
import { CopyButton } from './copy-button.tsx';

/**
 * A new secret (a token), shown this once: the server keeps only its hash. A copy button puts it
 * on the clipboard; where the browser refuses (a page not served over HTTPS or from localhost),
 * the text is selected for the person to copy by hand.
 */
export function SecretOnce({ secret, label = 'Your new token' }: { secret: string; label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="notice secret-once" data-testid="new-token">
      <p>{label}. Copy it now: it will not be shown again.</p>
      <div className="toolbar">
        <input ref={input} readOnly aria-label={label} className="secret" value={secret} onFocus={(e) => e.currentTarget.select()} size={Math.min(60, secret.length + 2)} />
        <CopyButton text={secret} byHand={() => input.current?.select()} />
      </div>
    </div>
  );
}
