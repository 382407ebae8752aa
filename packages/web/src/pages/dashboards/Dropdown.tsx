/** A button that opens a panel below it; closes on a click outside or Escape. */
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Dropdown({
  label,
  title,
  children,
  align = 'left',
  className,
}: {
  label: ReactNode;
  title?: string;
  children: (close: () => void) => ReactNode;
  align?: 'left' | 'right';
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className={`wk-dropdown ${className ?? ''}`} ref={ref}>
      <button
        type="button"
        className="wk-control"
        aria-haspopup="true"
        aria-expanded={open}
        title={title}
        onClick={() => setOpen((o) => !o)}
      >
        {label} <span className="wk-caret">▾</span>
      </button>
      {open && <div className={`wk-dropdown-panel wk-dropdown-${align}`}>{children(() => setOpen(false))}</div>}
    </div>
  );
}
