import { describe, expect, it } from 'vitest';
import { renderLandingPage } from './landing-page.js';

describe('landing page', () => {
  it('lists targets with their state and escapes what targets report', () => {
    const html = renderLandingPage('0.1.0', [
      { labels: { job: 'parts-api' }, scrapeUrl: 'http://127.0.0.1:9205/metrics', health: 'up' },
      {
        labels: { job: 'sync' },
        scrapeUrl: 'http://127.0.0.1:9204/metrics',
        health: 'down',
        lastError: '<script>x</script>',
      },
    ]);
    expect(html).toContain('<td class="up">up</td>');
    expect(html).toContain('<td class="down">down</td>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
  });

  it('says so when nothing is scraped', () => {
    expect(renderLandingPage('0.1.0', [])).toContain('No scrape targets configured.');
  });
});
