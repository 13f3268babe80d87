// Example use of the Chokepoint JavaScript API (see EMBEDDING.md, "JavaScript API").
import init, { assess, reference, version } from './chokepoint-api.js';

// A portfolio in the portfolio file format (docs/PORTFOLIO_FORMAT.md): one line with the
// firm's own refining mix, one seen through to the world mix.
const portfolio = {
  schema_version: 1,
  name: 'API example',
  spend_unit: 'EUR',
  lines: [
    {
      material: 'gallium',
      label: 'GaN wafers',
      spend: 200000,
      revenue_share_pct: 15,
      sourcing: { refining: { CHN: 80, JPN: 20 } },
    },
    { material: 'cobalt', label: 'Battery cathode', spend: 800000, revenue_share_pct: 40 },
  ],
};

async function main() {
  await init();
  const v = version();
  document.getElementById('version').textContent =
    `API version ${v.api}, portfolio format ${v.portfolio_schema}, calculator ${v.calculator}.`;
  document.getElementById('portfolio').textContent = JSON.stringify(portfolio, null, 2);
  const result = assess(portfolio);
  const top = result.chokepoints[0];
  const name = (id) => reference(id)?.name ?? id;
  document.getElementById('headline').textContent =
    `${result.totals.materials} materials, ${result.totals.spend} ${result.totals.spend_unit}. ` +
    `Largest chokepoint: ${name(top.material)}, ${top.stage}, ${top.country}: ` +
    `${(100 * top.share).toFixed(1)} % of supply, ${Math.round(top.spend_exposed)} EUR exposed.`;
  document.getElementById('result').textContent = JSON.stringify(
    { totals: result.totals, chokepoints: result.chokepoints.slice(0, 5) },
    null,
    2,
  );
  window.chokepointExample = { portfolio, result };
}

main().catch((error) => {
  document.getElementById('headline').textContent = `Error: ${error.message}`;
});
