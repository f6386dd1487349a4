// Draw every <canvas data-chart="kind" data-series='json'> with the builder named by its kind.
(() => {
  const bandColours = { red: '#dc3545', yellow: '#ffc107', green: '#198754', insufficient: '#adb5bd' };
  // Money axes read 70M, not 70,000,000; the axis title names the measure.
  const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  const moneyTicks = { callback: (value) => compact.format(value) };
  const colours = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1', '#dc3545', '#198754', '#0dcaf0', '#6c757d'];

  const builders = {
    stages: (stages) => ({
      type: 'bar',
      data: { labels: stages.map(s => s.label),
              datasets: [{ label: 'Accounts', data: stages.map(s => s.accounts),
                           backgroundColor: ['#0dcaf0', '#198754', '#ffc107', '#6c757d'] }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } } },
    }),
    regions: (regions) => ({
      type: 'doughnut',
      data: { labels: regions.map(r => r.region),
              datasets: [{ data: regions.map(r => r.arr_cents / 100) }] },
      options: { maintainAspectRatio: false, plugins: { legend: { position: 'right' } } },
    }),
    headcount: (models) => ({
      type: 'bar',
      data: { labels: models.map(m => m.name),
              datasets: [{ label: 'Required', data: models.map(m => m.required), backgroundColor: '#0d6efd' },
                         { label: 'Current FTE', data: models.map(m => m.current), backgroundColor: '#6c757d' }] },
      options: { maintainAspectRatio: false },
    }),
    'csm-load': (csms) => ({
      type: 'bar',
      data: { labels: csms.map(c => c.name),
              datasets: [{ label: 'By count', data: csms.map(c => c.load_pct), backgroundColor: '#198754' },
                         { label: 'By ARR', data: csms.map(c => c.arr_load_pct), backgroundColor: '#ffc107' },
                         // A vertical line at 100 % of target: the point past which a CSM is over.
                         { type: 'line', label: '100 % of target', data: csms.map(() => 100), indexAxis: 'y',
                           borderColor: '#dc3545', borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false }] },
      options: { maintainAspectRatio: false, indexAxis: 'y',
                 scales: { x: { beginAtZero: true, suggestedMax: 110, title: { display: true, text: '% of target' } } } },
    }),
    'tier-trend': (trend, canvas) => {
      const arr = canvas.dataset.measure === 'arr';
      return {
        type: 'line',
        data: { labels: trend.weeks, datasets: trend.tiers.map((t, i) => ({
          label: t.tier, data: arr ? t.arr : t.accounts, fill: true, tension: 0.2,
          borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length] + '55' })) },
        options: { maintainAspectRatio: false, scales: { y: { stacked: true, beginAtZero: true,
                   ticks: arr ? moneyTicks : { precision: 0 },
                   title: { display: true, text: arr ? 'ARR' : 'Accounts' } } } },
      };
    },
    'weekly-moves': (moves) => ({
      type: 'bar',
      data: { labels: moves.weeks, datasets: [
        { label: 'Up', data: moves.up, backgroundColor: '#198754' },
        { label: 'Down', data: moves.down, backgroundColor: '#dc3545' }] },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    'coverage-trend': (coverage) => ({
      type: 'line',
      data: { labels: coverage.weeks, datasets: coverage.models.flatMap((m, i) => [
        { label: m.name + ' required', data: m.required, borderColor: colours[i % colours.length], tension: 0.2 },
        { label: m.name + ' current FTE', data: m.current, borderColor: colours[i % colours.length],
          borderDash: [6, 4], tension: 0.2 }]) },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'CSMs' } } } },
    }),
    tiers: (tiers) => ({
      type: 'bar',
      data: { labels: tiers.map(t => t.tier), datasets: [
        { label: 'Accounts', data: tiers.map(t => t.accounts), yAxisID: 'y', backgroundColor: '#0d6efd' },
        { label: 'ARR', data: tiers.map(t => t.arr_cents / 100), yAxisID: 'y1', backgroundColor: '#20c997' }] },
      options: { maintainAspectRatio: false, scales: {
        y: { position: 'left', title: { display: true, text: 'Accounts' } },
        y1: { position: 'right', grid: { drawOnChartArea: false }, ticks: moneyTicks,
              title: { display: true, text: 'ARR' } } } },
    }),
    moves: (moves) => ({
      type: 'bar',
      data: { labels: moves.map(m => m.scheme), datasets: [
        { label: 'Up', data: moves.map(m => m.up), backgroundColor: '#198754' },
        { label: 'Down', data: moves.map(m => m.down), backgroundColor: '#dc3545' },
        { label: 'Moved (segments)', data: moves.map(m => m.moved), backgroundColor: '#6c757d' }] },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 },
                 title: { display: true, text: 'Accounts' } } } },
    }),
    suggest: (chart) => (chart.type === 'scatter' ? {
      type: 'scatter',
      data: { datasets: Object.entries(chart.points).map(([tier, points], i) => (
        { label: tier, data: points, backgroundColor: colours[i % colours.length], pointRadius: 2 })) },
      options: { maintainAspectRatio: false, animation: false, scales: {
        x: { title: { display: true, text: chart.x } }, y: { title: { display: true, text: chart.y } } } },
    } : {
      type: 'bar',
      data: { labels: Object.keys(chart.medians),
              datasets: [{ label: 'Median ' + chart.x, data: Object.values(chart.medians), backgroundColor: colours }] },
      options: { maintainAspectRatio: false, animation: false },
    }),
    'health-trend': (points) => ({
      type: 'line',
      data: { labels: points.map(p => p[0]),
              datasets: [{ label: 'Health score', data: points.map(p => p[1]), borderColor: '#0d6efd',
                           pointBackgroundColor: points.map(p => bandColours[p[2]] || '#6c757d') }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } },
                 scales: { y: { min: 0, max: 100 } } },
    }),
    'health-bands': (segments) => ({
      type: 'bar',
      data: { labels: segments.map(s => s.segment),
              datasets: ['red', 'yellow', 'green', 'insufficient'].map(band => (
                { label: band, data: segments.map(s => s[band] || 0), backgroundColor: bandColours[band] })) },
      options: { maintainAspectRatio: false, indexAxis: 'y',
                 scales: { x: { stacked: true }, y: { stacked: true } } },
    }),
    'mrr-history': (history) => ({
      type: 'line',
      data: { labels: history.labels,
              datasets: [{ label: 'MRR', data: history.mrr, borderColor: '#0d6efd', backgroundColor: '#0d6efd33',
                           fill: true, stepped: true }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: moneyTicks, title: { display: true, text: 'MRR' } } } },
    }),
    // One line per segment of one rate (logo_churn, grr or nrr, in %) over the months.
    retention: (chart) => ({
      type: 'line',
      data: { labels: chart.labels,
              datasets: Object.entries(chart.segments).map(([name, rates], i) => (
                { label: name, data: rates[chart.rate], borderColor: colours[i % colours.length],
                  backgroundColor: colours[i % colours.length], spanGaps: true, tension: 0.2 })) },
      options: { maintainAspectRatio: false, scales: { y: { title: { display: true, text: '%' } } },
                 plugins: { legend: { display: chart.legend !== false } } },
    }),
  };

  // Draw each chart once: on page load, and in fragments htmx swaps in later.
  const draw = (root) => root.querySelectorAll('canvas[data-chart]:not([data-drawn])').forEach(canvas => {
    const build = builders[canvas.dataset.chart];
    if (build) {
      canvas.dataset.drawn = '1';
      new Chart(canvas, build(JSON.parse(canvas.dataset.series), canvas));
    }
  });
  draw(document);
  document.body.addEventListener('htmx:afterSettle', (event) => draw(event.target));
})();
