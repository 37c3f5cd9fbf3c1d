// The part of ECharts the stock chart draws with (candlesticks, volume bars,
// moving-average lines and their legend, axes, tooltip, zoom; canvas only), bundled by scripts/setup with esbuild
// into public/vendor/echarts.min.js: a third of the full build, served by
// Gaemi itself and loaded only by pages that draw a chart.
import * as echarts from 'echarts/core';
import { BarChart, CandlestickChart, LineChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  CandlestickChart,
  LineChart,
  AxisPointerComponent,
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
