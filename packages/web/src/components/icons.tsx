/** Small inline SVG icons (no icon font: the UI must not depend on which fonts a device has). */
const common = {
  width: 16,
  height: 16,
  viewBox: '0 0 16 16',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.5,
  'aria-hidden': true,
} as const;

export function InfoIcon() {
  return (
    <svg {...common}>
      <circle cx="8" cy="8" r="6.5" />
      <path d="M8 7v4.5" strokeLinecap="round" />
      <circle cx="8" cy="4.8" r="0.6" fill="currentColor" stroke="none" />
    </svg>
  );
}

export function ClockIcon() {
  return (
    <svg {...common}>
      <circle cx="8" cy="8" r="6.5" />
      <path d="M8 4.5V8l2.5 1.5" strokeLinecap="round" />
    </svg>
  );
}

export function MenuIcon() {
  return (
    <svg {...common} stroke="none" fill="currentColor">
      <circle cx="8" cy="3.5" r="1.4" />
      <circle cx="8" cy="8" r="1.4" />
      <circle cx="8" cy="12.5" r="1.4" />
    </svg>
  );
}

export function RefreshIcon() {
  return (
    <svg {...common}>
      <path d="M13 8a5 5 0 1 1-1.5-3.6" strokeLinecap="round" />
      <path d="M12 1.8v3h-3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function WarningIcon() {
  return (
    <svg {...common}>
      <path d="M8 1.8 15 14H1z" strokeLinejoin="round" />
      <path d="M8 6.5v3.5" strokeLinecap="round" />
      <circle cx="8" cy="12" r="0.6" fill="currentColor" stroke="none" />
    </svg>
  );
}
