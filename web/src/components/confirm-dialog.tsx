import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  /** Asks for a reason (or comment) in the dialog; `required` keeps the confirm button off until one is typed. */
  reason?: { label: string; required: boolean };
  danger?: boolean;
  run: (reason: string) => Promise<unknown>;
}

/**
 * A modal confirmation: the browser's own <dialog>, so focus moves into it, Escape closes it
 * and the page behind is inert. The action runs only on the confirm button; its error stays in
 * the dialog so the person can correct the reason or cancel.
 */
export function ConfirmDialog({ request, onClose, onDone }: { request: ConfirmRequest | null; onClose: () => void; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A new request starts with an empty reason in the same render that shows it: resetting in
  // the effect below would first paint the last dialog's reason, and with it an enabled
  // confirm button for a request whose reason is required.
  const [shown, setShown] = useState(request);
  if (request !== shown) {
    setShown(request);
    setReason('');
    setError(null);
  }
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (request && !element.open) element.showModal();
    else if (!request && element.open) element.close();
  }, [request]);
  const confirm = async () => {
    if (!request) return;
    setBusy(true);
    setError(null);
    try {
      await request.run(reason.trim());
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const missingReason = request?.reason?.required === true && reason.trim() === '';
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" onClose={onClose}>
      {request && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (!missingReason && !busy) void confirm();
          }}
        >
          <h2 id="confirm-title">{request.title}</h2>
          <div className="confirm-body">{request.body}</div>
          {request.reason && (
            <label className="confirm-reason">
              {request.reason.label}
              <input autoFocus value={reason} required={request.reason.required} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
            </label>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="toolbar">
            <span className="spacer" />
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className={request.danger ? 'reject' : 'primary'} disabled={missingReason || busy}>
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
