import { useRef, useState, type ReactNode } from 'react';

/**
 * Renders only the rows in view (plus a margin), so a table of 100 000 runs costs what a table
 * of 40 does. Asks for more rows when the end of what is loaded comes into view.
 */
export function VirtualRows<T>({
  items,
  rowHeight,
  height,
  renderRow,
  onNearEnd,
}: {
  items: T[];
  rowHeight: number;
  height: number;
  renderRow: (item: T, index: number) => ReactNode;
  onNearEnd?: () => void;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const asked = useRef(0);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - 10);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + 10);
  if (onNearEnd && last >= items.length - 20 && asked.current !== items.length) {
    asked.current = items.length;
    queueMicrotask(onNearEnd);
  }
  return (
    <div className="virtual" style={{ height, overflowY: 'auto' }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="virtual-rows">
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div key={first + i} className="vrow" style={{ position: 'absolute', top: (first + i) * rowHeight, height: rowHeight, left: 0, right: 0 }}>
            {renderRow(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
