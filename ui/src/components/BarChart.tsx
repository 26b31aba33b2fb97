// Horizontal bar charts of the dashboard, drawn by Apache ECharts as SVG.
// Readable without colour: every bar carries its value as a label, each
// series its own pattern (ECharts' aria decals), and the chart is described
// in words for screen readers. A click on a bar opens its dossiers; the
// table beside each chart does the same from the keyboard.
import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { BarChart as EBarChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([EBarChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface BarSeries {
  name: string;
  values: number[];
}

export interface BarChartProps {
  /** Names the chart for screen readers and tests (`aria-label`). */
  label: string;
  categories: string[];
  series: BarSeries[];
  /** Series stacked on one bar (the parts of a whole). */
  stacked?: boolean;
  /** A bar was clicked: its category's index (and its series'). */
  onPick?(categoryIndex: number, seriesIndex: number): void;
}

/** Patterns in black and white, one per series: ink alone tells them apart. */
const DECALS = [
  { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [4, 3], rotation: -Math.PI / 4, color: "rgba(0,0,0,0.35)" },
  { symbol: "circle", symbolSize: 0.8, dashArrayX: [[3, 3]], dashArrayY: [3, 3], color: "rgba(0,0,0,0.45)" },
  { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 5], rotation: 0, color: "rgba(0,0,0,0.4)" },
  { symbol: "triangle", symbolSize: 0.8, dashArrayX: [[4, 4]], dashArrayY: [4, 4], color: "rgba(0,0,0,0.4)" },
];
const COLOURS = ["#1d4e89", "#8a4b00", "#1f6b3a", "#a4161a", "#5b2a86"];

/** The ECharts option of a bar chart (exported for the unit tests). */
export function barOption({ categories, series, stacked }: BarChartProps): echarts.EChartsCoreOption {
  return {
    animation: false,
    color: COLOURS,
    aria: { enabled: true, decal: { show: true, decals: DECALS } },
    tooltip: { trigger: "item" },
    legend: series.length > 1 ? { top: 0, textStyle: { fontSize: 13 } } : undefined,
    grid: { left: 8, right: 56, top: series.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 12 } },
    yAxis: {
      type: "category",
      data: categories,
      inverse: true,
      axisLabel: { fontSize: 13, width: 230, overflow: "truncate" },
    },
    series: series.map((s) => ({
      name: s.name,
      type: "bar",
      stack: stacked ? "total" : undefined,
      data: s.values,
      barMaxWidth: 22,
      label: {
        show: true,
        position: stacked ? "inside" : "right",
        fontSize: 13,
        fontWeight: "bold",
        color: stacked ? "#fff" : "#14202e",
        formatter: (p: { value: number }) => (p.value === 0 ? "" : String(p.value)),
      },
    })),
  };
}

export function BarChart(props: BarChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const pick = useRef(props.onPick);
  pick.current = props.onPick;
  const { categories, series, stacked, label } = props;
  const height = 24 + (series.length > 1 ? 28 : 0) + Math.max(1, categories.length) * 30;
  // Drawn again only when what it shows changes (not on every render).
  const data = JSON.stringify([categories, series, stacked ?? false]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let chart: echarts.ECharts;
    try {
      chart = echarts.init(el, null, { renderer: "svg", height, width: el.clientWidth || 520 });
    } catch (e) {
      // No layout (a test's DOM): the table beside the chart says it all.
      console.warn("chart not drawn", e);
      return;
    }
    const [cats, ser, stack] = JSON.parse(data) as [string[], BarSeries[], boolean];
    chart.setOption(barOption({ label, categories: cats, series: ser, stacked: stack }));
    chart.on("click", (p) => {
      if (typeof p.dataIndex === "number") pick.current?.(p.dataIndex, p.seriesIndex ?? 0);
    });
    const resize = () => chart.resize({ width: el.clientWidth || 520, height });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [label, data, height]);

  const words = categories
    .map((c, i) => `${c} : ${series.map((s) => `${series.length > 1 ? `${s.name} ` : ""}${s.values[i] ?? 0}`).join(", ")}`)
    .join(" ; ");
  return <div ref={ref} className="bar-chart" role="img" aria-label={`${label}. ${words}`} style={{ height }} />;
}
