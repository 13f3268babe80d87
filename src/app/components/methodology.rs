//! The Methodology page: each formula in plain words, with its source.

use yew::prelude::*;

/// The Methodology page.
#[component]
pub fn MethodologyPage() -> Html {
    html! {
        <article class="prose">
            <h1>{ "Methodology" }</h1>
            <p class="lede">{ "How every number on the calculator is computed, in plain words, with its source." }</p>
            <section class="card">
                <h2>{ "Look-through: where your supply really comes from" }</h2>
                <p>{ "For each line you tell us, per stage (mining, refining, and the component you buy), \
                      either the countries you source from or that you do not know. By trade (the \
                      default), an unknown stage above one whose countries you name is filled with those \
                      countries' own production and their imports by origin (CEPII BACI, 2022-2024): \
                      magnets from Japan are fed by Japan's rare-earth imports, about half from China. \
                      Where trade data is missing, and everywhere by world production (the other \
                      setting), it is the world mix of that stage from the reference data (USGS and IEA): \
                      if you do not know where your supplier's material was refined, you depend, as far \
                      as anyone can tell, on where the world's refining happens." }</p>
                <p>{ "The exposure you did not enter is how much larger a country's share is at a stage \
                      we filled in than among your direct suppliers: an assumption from trade or world \
                      data, never a stage you entered, and never blended across materials. Buying all \
                      magnets from Japan while about half of Japan's rare-earth imports (nine tenths of \
                      world refining) come from China is a large one, to China." }</p>
            </section>
            <section class="card">
                <h2>{ "Concentration" }</h2>
                <p>{ "The Herfindahl-Hirschman index (HHI) is the sum of the squared percentage shares \
                      of the supplying countries: 10 000 when one country supplies everything, 2 500 for \
                      four equal suppliers. The effective number of countries is 10 000 / HHI. CR1 is \
                      the largest supplier's share, CR3 the three largest together. \"Rest of world\" \
                      remainders are counted as one supplier, which overstates concentration a little; \
                      the lower bound, treating that remainder as many small suppliers, is also computed." }</p>
            </section>
            <section class="card">
                <h2>{ "Governance-weighted concentration and supply risk" }</h2>
                <p>{ "Following the European Commission's criticality method (2017 methodology, used in \
                      the 2017, 2020 and 2023 assessments), each country's squared share is weighted by \
                      its governance score (World Bank Worldwide Governance Indicators, rescaled to 0-10, \
                      10 = weakest) and a trade parameter: HHI-WGI = Σ share² × WGI × t." }</p>
                <p>{ "Supply risk = [HHI-WGI of global supply × IR/2 + HHI-WGI of sourcing × (1 − IR/2)] \
                      × (1 − end-of-life recycling input rate) × substitution index, per stage; the \
                      stage with the highest value is the bottleneck. Source: Deloitte, BGS, BRGM and \
                      TNO for DG GROW, Study on the review of the list of Critical Raw Materials (2017), \
                      doi:10.2873/876644." }</p>
                <p>{ "The EU's published supply risk is the EU's reference value for a material (the \
                      Union's supply, about 2016-2020), not your firm's. Your own supply risk is the \
                      GeoPolRisk score (Gemechu et al. 2016; Cimprich et al. 2017; Santillán-Saldivar et \
                      al. 2021) at each stage: world production concentration (HHI, 0-1) × Σ your share \
                      from each country × its political instability (WGI rescaled to 0-1), the highest \
                      stage being the bottleneck. It falls when you move supply to better-governed \
                      countries. Countries without a governance score and the rest of the world count as \
                      the average country (a WGI estimate of 0)." }</p>
            </section>
            <section class="card">
                <h2>{ "Actions" }</h2>
                <p>{ "Each material is placed on two axes: the supply risk of your sourcing and business \
                      impact (the share of your revenue that depends on it). Supply risk is high when it \
                      reaches the top quarter of the catalogue: the 75th percentile of every material's \
                      score at the world mix, computed from the embedded data. Business impact is high at \
                      10 % of revenue, a default you can change, not a published threshold. High risk and \
                      high impact: qualify a second source. High risk, low impact: hold buffer stock. Low \
                      risk, high impact: monitor. Otherwise: low priority." }</p>
            </section>
            <section class="card">
                <h2>{ "Policy checks" }</h2>
                <p>{ "Rules are data, each with its legal citation, dates and the stages it covers (see Sources). \
                      The EU Critical Raw Materials Act's Art. 5(1)(b) benchmark (no single third country above \
                      65 % of a strategic raw material at any stage) is applied to your look-through mix as an \
                      EU-level benchmark, not an obligation of your firm. The U.S. DFARS covered-country rules \
                      (China, Russia, North Korea, Iran) are checked in their melt-and-produce regime until \
                      31 December 2026 and their mine-to-magnet regime from 1 January 2027, a date a later law may \
                      have changed. Checks run on the date you choose; rules no longer in force are marked \
                      historical. The rules were researched on the date shown next to the check date; a start \
                      or end date between then and your check date is flagged: check the current status." }</p>
            </section>
            <section class="card">
                <h2>{ "Disruption scenarios" }</h2>
                <p>{ "A scenario cuts a share x of one country's supply at some stages for D months. At each \
                      stage, with s the country's share of your look-through mix and r the spare capacity of the \
                      other producers (10 % by default, an assumption you can change), the supply you lose is \
                      s·x minus what others can make up, at most r·(1 − s). A line is only as available as its \
                      most-cut stage. With f that shortfall and m months of inventory (months of full supply), \
                      the revenue at risk is the share of revenue depending on the line × max(0, f·D − m) / 12: \
                      inventory makes up m months' worth of the missing supply. Real events come from a dated, sourced list of export controls \
                      2009-2026; a quota whose size the data gives cuts what it withholds from the country's \
                      former supply (the DR Congo's 96,600 t/yr cobalt quota against its 220,000 t of 2024 mine \
                      output, USGS: 1 − 96,600 / 220,000 = 56 %); where a source gives no size for a measure, \
                      the cut and duration are labelled assumptions. Each event's status is judged on the check \
                      date you choose, from its dates and the date the data was researched: a suspension whose \
                      scheduled end has passed with no later record says so instead of reading as current." }</p>
                <p>{ "The Monte Carlo simulation draws many years. Each country disrupts its supply at each \
                      stage with an annual probability p = 1 − exp(−(0.04 × WGI/10 + 0.25 × rate)), where WGI is \
                      its governance score on the EU 0-10 scale and rate the yearly rate of its recorded export \
                      controls at that stage in 2009-2025, recent years weighing more (half-life 5 years). The \
                      governance part is one shock to all of the country's materials; the recorded part fires by \
                      event family (the country's measures that hit the same materials at the same stages, each \
                      with its own fitted rate) and hits that family's materials together and no others, so \
                      materials real events hit together (gallium and germanium) are disrupted together; the rest-of-world \
                      remainder, being many countries, is never disrupted. Severity is uniform between 25 % and \
                      100 %; the duration is geometric with a mean of 6 months, at most 12 months in a year \
                      (a modelling choice: how long supply is cut). A lognormal law fitted to how long recorded \
                      measures stay in force (those still in force count as lasting at least until the research \
                      date; median 159 months) is shown beside it as the \"long measures\" case: an upper bound \
                      on how long supply is cut, since licences are granted while a measure stays in force. \
                      Cuts by different countries at different stages combine as independent \
                      flows. The constants 0.04, 0.25, the half-life and the 6-month mean are modelling choices, \
                      not data. \
                      Results are a stress index for comparing portfolios, not a forecast: the expected loss, \
                      percentiles of simulated years (never read as \"1 year in 20\"), the mean of the worst 5 % \
                      of years (CVaR 95) and the probability of any shortfall, each also at half and twice the \
                      default rates and with the long measures' durations. Every trial has its own random stream derived from the seed, so the same \
                      seed gives the same numbers, in this browser and on the command line." }</p>
            </section>
            <section class="card">
                <h2>{ "Diversification planner" }</h2>
                <p>{ "For one material and stage (by default the stage you buy at) the planner finds new \
                      country shares that minimise the chosen measure (by default the governance-weighted HHI; \
                      also the HHI, the share from a group of countries, or the expected annual loss of the \
                      Monte Carlo model above, taken one disruption at a time), with shares \
                      summing to 100 %, each country at most its capacity cap (its share of world production times \
                      a headroom factor, an assumption; a country that produces nothing cannot supply), at most a \
                      given share of volume moved, premiums within a budget, and countries excluded or required. \
                      \"Rest of world\" never grows beyond today's share: it is a residual of the statistics, not a \
                      supplier you can contract with. Nor do restricted countries (by default the U.S. covered \
                      nations of the reference data), unless you turn the rule off. \
                      The HHI problems are convex quadratic programmes solved exactly through their dual \
                      (water-filling under caps; Boyd and Vandenberghe, Convex Optimization, 2004, ch. 5); share \
                      objectives are linear programmes solved with the simplex method; the expected loss is \
                      convex and separable, its exact closed form solved by the same dual water-filling. The \
                      efficient frontier varies the premium budget; the recommended point is its knee, the point \
                      farthest below the \
                      line joining the frontier's ends (Satopää et al., Finding a \"Kneedle\" in a Haystack, \
                      2011)." }</p>
            </section>
        </article>
    }
}
