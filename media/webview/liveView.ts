import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type {
  HeapSample,
  ServiceSeries,
  ServiceState,
  SnapshotMarker,
} from '../../src/extension/protocol';
import { fittedRange } from './chartRange';
import { el, emptyState, icon } from './dom';
import { formatCount, formatMegabytes, formatTime } from './format';
import { RingSeries } from './ringBuffer';
import { readChartColors, sameChartColors, type ChartColors } from './theme';

/** One hour of one-second samples; older points fall off the left edge. */
const capacity = 3600;
const chartHeight = 180;
const megabyte = 1024 * 1024;

const stateIcons: Record<ServiceState, string> = {
  starting: 'loading codicon-modifier-spin',
  running: 'circle-filled',
  stopped: 'circle-outline',
  crashed: 'error',
};

/** A service's chart card: series in ring buffers, a uPlot chart, its legend and markers. */
class ServiceChart {
  readonly element: HTMLElement;
  private readonly times = new RingSeries(capacity);
  private readonly used = new RingSeries(capacity);
  private readonly rss = new RingSeries(capacity);
  /** ArrayBuffer memory in MB (0 where a sample has none; the line shows once one has). */
  private readonly buffers = new RingSeries(capacity);
  /** Raw bytes of the newest sample, for the legend (the ring buffers hold MB). */
  private latest: HeapSample | undefined;
  private markers: SnapshotMarker[] = [];
  private readonly stateLine: HTMLElement;
  private readonly slopeLine: HTMLElement;
  private readonly legendUsed: HTMLElement;
  private readonly legendRss: HTMLElement;
  private readonly legendBuffers: HTMLElement;
  /** Shown once a sample reads buffer memory: a Buffer leak grows it while the heap stays flat. */
  private readonly buffersItem: HTMLElement;
  private readonly swatches: HTMLElement[] = [];
  private readonly markerList: HTMLElement;
  private readonly plotBox: HTMLElement;
  private plot: uPlot | undefined;
  private redrawQueued = false;
  private hoverIndex: number | null = null;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    readonly service: string,
    private colors: ChartColors,
  ) {
    this.element = el('section', 'service-card');
    this.element.dataset.service = service;
    const header = el('header', 'service-header');
    const title = el('h3', 'service-name', service);
    this.stateLine = el('span', 'service-state');
    this.slopeLine = el('span', 'service-slope');
    header.append(title, this.stateLine, this.slopeLine);

    const legend = el('div', 'legend');
    legend.setAttribute('aria-label', `${service} memory`);
    this.legendUsed = el('span', 'legend-value');
    this.legendRss = el('span', 'legend-value');
    this.legendBuffers = el('span', 'legend-value');
    const items = (
      [
        ['Used heap', this.legendUsed],
        ['RSS', this.legendRss],
        ['Buffers', this.legendBuffers],
      ] as const
    ).map(([label, value]) => {
      const item = el('span', 'legend-item');
      const swatch = el('span', 'swatch');
      swatch.setAttribute('aria-hidden', 'true');
      this.swatches.push(swatch);
      item.append(swatch, el('span', 'legend-label', label), value);
      return item;
    });
    this.buffersItem = items[2]!;
    this.buffersItem.title =
      'Memory of Buffers and typed arrays, outside the V8 heap (its own scale, no axis)';
    this.buffersItem.hidden = true;
    legend.append(...items);
    this.plotBox = el('div', 'plot');
    this.plotBox.setAttribute('role', 'img');
    this.plotBox.setAttribute(
      'aria-label',
      `Used heap (left axis), RSS (right axis) and Buffers of ${service} over time, in MB`,
    );
    this.markerList = el('ul', 'marker-list');
    this.markerList.setAttribute('aria-label', 'Snapshots taken');
    this.element.append(header, legend, this.plotBox, this.markerList);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.plotBox);
  }

  /** Releases the chart: uPlot listens on `window`, so a dropped card must be destroyed. */
  dispose(): void {
    this.resizeObserver.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
    this.element.remove();
  }

  update(series: Pick<ServiceSeries, 'state' | 'bytesPerRequest'>): void {
    this.stateLine.replaceChildren(
      icon(stateIcons[series.state], `state-${series.state}`),
      el('span', undefined, series.state),
    );
    this.slopeLine.replaceChildren(icon('graph-line'));
    if (series.bytesPerRequest === undefined)
      this.slopeLine.append(el('span', 'muted', 'slope: measuring…'));
    else
      this.slopeLine.append(
        el('span', 'slope-value', `${formatCount(series.bytesPerRequest)} B/request`),
        el('span', 'muted', 'live, before GC'),
      );
    this.slopeLine.title =
      'Used heap growth per load request, read live: it includes garbage not yet collected. The leak check and Find Leak measure after GC.';
  }

  append(samples: readonly HeapSample[]): void {
    for (const sample of samples) {
      this.times.push(sample.time / 1000);
      this.used.push(sample.usedHeap / megabyte);
      this.rss.push(sample.rss / megabyte);
      this.buffers.push((sample.arrayBuffers ?? 0) / megabyte);
      if (sample.arrayBuffers !== undefined && this.buffersItem.hidden) {
        this.buffersItem.hidden = false;
        this.plot?.setSeries(3, { show: true });
      }
      this.latest = sample;
    }
    this.queueRedraw();
  }

  addMarker(marker: SnapshotMarker): void {
    if (this.markers.some((known) => known.snapshotId === marker.snapshotId)) return;
    this.markers.push(marker);
    this.markers.sort((a, b) => a.time - b.time);
    this.renderMarkers();
    this.queueRedraw();
  }

  setColors(colors: ChartColors): void {
    this.colors = colors;
    this.plot?.destroy();
    this.plot = undefined;
    this.queueRedraw();
  }

  /** Coalesces bursts of `samples` messages into one `setData` per frame. */
  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.redraw();
    });
  }

  private redraw(): void {
    this.renderLegend();
    if (this.times.length === 0) {
      this.plotBox.replaceChildren(el('p', 'plot-waiting muted', 'Waiting for samples…'));
      return;
    }
    const width = this.plotBox.clientWidth;
    if (width === 0) return; // hidden tab: drawn on the resize that shows it
    this.plotBox.querySelector('.plot-waiting')?.remove();
    const data: uPlot.AlignedData = [
      this.times.view(),
      this.used.view(),
      this.rss.view(),
      this.buffers.view(),
    ];
    if (this.plot) this.plot.setData(data);
    else this.plot = new uPlot(this.options(width), data, this.plotBox);
  }

  private resize(): void {
    const width = this.plotBox.clientWidth;
    if (width === 0) return;
    if (this.plot) this.plot.setSize({ width, height: chartHeight });
    else if (this.times.length > 0) this.redraw();
  }

  private options(width: number): uPlot.Options {
    const colors = this.colors;
    const axis: uPlot.Axis = {
      stroke: colors.text,
      font: colors.font,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    };
    const megabyteAxis: uPlot.Axis = {
      ...axis,
      size: 56,
      labelFont: colors.font,
      labelSize: 16,
      values: (_plot, splits) => splits.map((value) => formatMegabytes(value * megabyte)),
    };
    return {
      width,
      height: chartHeight,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // Heap and RSS on scales of their own: on one, a 12 MB heap climb under an 80 MB RSS
      // looked flat.
      scales: {
        x: { time: true },
        heap: { range: (_plot, min, max) => fittedRange(min, max) },
        rss: { range: (_plot, min, max) => fittedRange(min, max) },
        buffers: { range: (_plot, min, max) => fittedRange(min, max) },
      },
      series: [
        {},
        { label: 'Used heap', stroke: colors.usedHeap, width: 2, scale: 'heap' },
        { label: 'RSS', stroke: colors.rss, width: 1.5, scale: 'rss', dash: [6, 3] },
        {
          label: 'Buffers',
          stroke: colors.buffers,
          width: 1.5,
          scale: 'buffers',
          dash: [2, 3],
          show: !this.buffersItem.hidden,
        },
      ],
      axes: [
        axis,
        { ...megabyteAxis, scale: 'heap', label: 'Used heap' },
        { ...megabyteAxis, scale: 'rss', label: 'RSS', side: 1, grid: { show: false } },
      ],
      hooks: {
        draw: [(plot) => this.drawMarkers(plot)],
        setCursor: [
          (plot) => {
            this.hoverIndex = plot.cursor.idx ?? null;
            this.renderLegend();
          },
        ],
      },
    };
  }

  /** Dashed vertical lines with labels where snapshots were taken (canvas text, not HTML). */
  private drawMarkers(plot: uPlot): void {
    const { ctx, bbox } = plot;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = this.colors.marker;
    // The label is text: the marker colour is made for lines and can be too faint to read.
    ctx.fillStyle = this.colors.text;
    ctx.lineWidth = ratio;
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    ctx.font = this.colors.font.replace(
      /^(\d+)px/,
      (_match, size: string) => `${Number(size) * ratio}px`,
    );
    ctx.textBaseline = 'top';
    for (const marker of this.markers) {
      const x = plot.valToPos(marker.time / 1000, 'x', true);
      if (!Number.isFinite(x) || x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.fillText(marker.label, x + 4 * ratio, bbox.top + 2 * ratio);
    }
    ctx.restore();
  }

  private renderLegend(): void {
    this.swatches[0].style.background = this.colors.usedHeap;
    this.swatches[1].style.background = this.colors.rss;
    this.swatches[2].style.background = this.colors.buffers;
    const index = this.hoverIndex;
    const megabytes = (value: number | undefined): string =>
      value === undefined ? '—' : formatMegabytes(value * megabyte);
    if (index !== null && index < this.used.length) {
      this.legendUsed.textContent = megabytes(this.used.view()[index]);
      this.legendRss.textContent = megabytes(this.rss.view()[index]);
      this.legendBuffers.textContent = megabytes(this.buffers.view()[index]);
      return;
    }
    const bytes = (value: number | undefined): string =>
      value === undefined ? '—' : formatMegabytes(value);
    this.legendUsed.textContent = bytes(this.latest?.usedHeap);
    this.legendRss.textContent = bytes(this.latest?.rss);
    this.legendBuffers.textContent = bytes(this.latest?.arrayBuffers);
  }

  private renderMarkers(): void {
    this.markerList.replaceChildren(
      ...this.markers.map((marker) => {
        const item = el('li', 'marker');
        item.append(
          icon('device-camera'),
          el('span', 'marker-label', marker.label),
          el('span', 'muted', formatTime(marker.time)),
        );
        return item;
      }),
    );
  }
}

/** The Live tab: one chart per service of the current session. */
export class LiveView {
  readonly element: HTMLElement;
  private readonly charts = new Map<string, ServiceChart>();
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly note: HTMLElement;
  private colors = readChartColors();

  constructor() {
    this.element = el('div', 'live');
    this.list = el('div', 'service-list');
    this.empty = emptyState(
      'pulse',
      'No live session',
      'Start the services (Leak Hunt: Start Services) to watch their memory here, then start load and take snapshots.',
    );
    // Live figures differ from the leak check's on purpose; say so where they are shown.
    this.note = el('p', 'live-note');
    this.note.append(
      icon('info'),
      el(
        'span',
        undefined,
        'Live readings, before GC: they include garbage not yet collected, so a service that does not leak can climb until its next collection. The leak check and Find Leak measure after GC.',
      ),
    );
    this.element.append(this.empty, this.note, this.list);
    this.renderEmpty();
  }

  /** Replaces every chart (on `init`). */
  reset(services: readonly ServiceSeries[]): void {
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
    for (const series of services) {
      const chart = this.chart(series.service);
      chart.update(series);
      chart.append(series.samples);
      for (const marker of series.markers) chart.addMarker(marker);
    }
    this.renderEmpty();
  }

  appendSamples(service: string, samples: readonly HeapSample[]): void {
    this.chart(service).append(samples);
  }

  updateService(service: string, state: ServiceState, bytesPerRequest?: number): void {
    this.chart(service).update({ state, bytesPerRequest });
  }

  addMarker(service: string, marker: SnapshotMarker): void {
    this.chart(service).addMarker(marker);
  }

  /** Re-reads theme colours and redraws when they changed (VS Code changed theme). */
  retheme(): void {
    const colors = readChartColors();
    if (sameChartColors(colors, this.colors)) return;
    this.colors = colors;
    for (const chart of this.charts.values()) chart.setColors(this.colors);
  }

  private chart(service: string): ServiceChart {
    let chart = this.charts.get(service);
    if (!chart) {
      chart = new ServiceChart(service, this.colors);
      chart.update({ state: 'running' });
      this.charts.set(service, chart);
      this.list.append(chart.element);
      this.renderEmpty();
    }
    return chart;
  }

  private renderEmpty(): void {
    this.empty.hidden = this.charts.size > 0;
    this.note.hidden = this.charts.size === 0;
  }
}
