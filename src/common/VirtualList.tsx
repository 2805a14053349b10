import * as React from 'react';

export interface IVirtualListProps {
  count: number;
  rowHeight: number;
  /** Extra rows rendered above and below the visible window. */
  overscan?: number;
  /** Changes whenever rows mutate in place, so visible rows re-render. */
  version?: number;
  renderRow: (index: number) => React.ReactNode;
  className?: string;
  ariaLabel?: string;
}

/**
 * A list of fixed-height rows that only renders what is visible: 100,000 rows cost the same
 * DOM as 30. The scroll container is this component; give it a height through CSS.
 */
export function VirtualList(props: IVirtualListProps): JSX.Element {
  const { count, rowHeight, overscan = 8, renderRow } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(400);

  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const measure = () => setHeight(node.clientHeight || 400);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(
    count,
    Math.ceil((scrollTop + height) / rowHeight) + overscan
  );
  const rows: React.ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div
        key={index}
        className="jp-escape-VirtualList-row"
        role="listitem"
        style={{
          position: 'absolute',
          top: index * rowHeight,
          height: rowHeight,
          left: 0,
          right: 0
        }}
      >
        {renderRow(index)}
      </div>
    );
  }
  return (
    <div
      ref={ref}
      className={`jp-escape-VirtualList ${props.className ?? ''}`}
      role="list"
      aria-label={props.ariaLabel}
      aria-rowcount={count}
      onScroll={event =>
        setScrollTop((event.target as HTMLDivElement).scrollTop)
      }
    >
      <div style={{ position: 'relative', height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
