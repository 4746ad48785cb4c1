import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** The page and the chart library it loads, both served from this process (no CDN: the page works offline). */
const PAGE = join(__dirname, 'dashboard.html');
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

/**
 * GET /dashboard: a static page that draws trend lines, up/down bars and
 * pies from the query API (/v1/stats/*) in the browser. Files are read once,
 * at the first request.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  private page?: string;
  private chartJs?: string;

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    this.page ??= readFileSync(PAGE, 'utf8');
    return this.page;
  }

  @Get('assets/chart.umd.min.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'max-age=3600')
  chart(): string {
    this.chartJs ??= readFileSync(CHART_JS, 'utf8');
    return this.chartJs;
  }
}
