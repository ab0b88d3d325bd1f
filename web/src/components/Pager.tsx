interface PagerProps {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/**
 * Previous / next page. Unavailable buttons are aria-disabled rather than
 * disabled, so a keyboard user's focus stays on them.
 */
export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext }: PagerProps) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" aria-disabled={!hasPrevious} onClick={() => hasPrevious && onPrevious()}>
        Previous page
      </button>
      <span className="page-number" aria-live="polite">
        Page {page}
      </span>
      <button type="button" aria-disabled={!hasNext} onClick={() => hasNext && onNext()}>
        Next page
      </button>
    </nav>
  );
}
