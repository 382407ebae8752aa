/** Downloads: a panel's data as CSV, its picture as PNG. */

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function safeFilename(s: string): string {
  return (
    s
      .replace(/[^a-z0-9._-]+/gi, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'panel'
  );
}

const TITLE_PX = 28;

function canvasBlob(c: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
}

/** Copies computed styles onto a clone so that it renders the same inside an SVG foreignObject. */
function inlineStyles(src: Element, dst: Element): void {
  const cs = getComputedStyle(src);
  const style = (dst as HTMLElement).style;
  if (style)
    for (let i = 0; i < cs.length; i++) {
      const p = cs[i]!;
      style.setProperty(p, cs.getPropertyValue(p), cs.getPropertyPriority(p));
    }
  for (let i = 0; i < src.children.length; i++) {
    const s = src.children[i]!;
    const d = dst.children[i];
    if (d) inlineStyles(s, d);
  }
}

async function domImage(el: HTMLElement, width: number, height: number): Promise<HTMLImageElement> {
  const clone = el.cloneNode(true) as HTMLElement;
  inlineStyles(el, clone);
  clone.style.margin = '0';
  clone.setAttribute('xmlns', 'http://www.w3.org/1999/xhtml');
  const xhtml = new XMLSerializer().serializeToString(clone);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><foreignObject x="0" y="0" width="100%" height="100%">${xhtml}</foreignObject></svg>`;
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  return img;
}

/**
 * The panel body as a PNG with the title above it: chart canvases (uPlot, ECharts) are copied
 * pixel for pixel; HTML panels (stat, table, leaderboard, status grid) are drawn through an SVG
 * foreignObject.
 */
export async function panelPng(body: HTMLElement, title: string): Promise<Blob> {
  try {
    return await drawPanel(body, title, true);
  } catch {
    // A browser that taints a canvas with a foreignObject image: the canvases alone.
    return drawPanel(body, title, false);
  }
}

async function drawPanel(body: HTMLElement, title: string, withDom: boolean): Promise<Blob> {
  const dpr = window.devicePixelRatio || 1;
  const box = body.getBoundingClientRect();
  const w = Math.ceil(box.width);
  const h = Math.ceil(Math.max(box.height, body.scrollHeight));
  const out = document.createElement('canvas');
  out.width = Math.ceil(w * dpr);
  out.height = Math.ceil((h + TITLE_PX) * dpr);
  const ctx = out.getContext('2d')!;
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h + TITLE_PX);
  ctx.fillStyle = '#1d2733';
  ctx.font = `600 14px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 6, TITLE_PX / 2);
  // The HTML around the canvases (legends, labels) first, then the canvases on top.
  if (withDom) {
    try {
      const img = await domImage(body, w, h);
      ctx.drawImage(img, 0, TITLE_PX, w, h);
    } catch {
      // Some browsers refuse foreignObject images; the canvases below still make a picture.
    }
  }
  for (const c of body.querySelectorAll('canvas')) {
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    ctx.drawImage(c, r.left - box.left, r.top - box.top + TITLE_PX, r.width, r.height);
  }
  return canvasBlob(out);
}
