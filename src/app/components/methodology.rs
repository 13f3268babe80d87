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
                      either the countries you source from or that you do not know. An unknown stage is \
                      filled with the world mix of that stage from the reference data (USGS and IEA, data \
                      year 2024): if you do not know where your supplier's material was refined, you \
                      depend, as far as anyone can tell, on where the world's refining happens." }</p>
                <p>{ "Hidden exposure is how much larger a country's share is at an upstream stage than \
                      among your direct suppliers. Buying all magnets from Japan while about nine tenths \
                      of rare-earth refining happens in China is a large hidden exposure to China." }</p>
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
            </section>
            <section class="card">
                <h2>{ "Actions" }</h2>
                <p>{ "Each material is placed on two axes: supply risk (high at 1.0 and above, the EU \
                      threshold) and business impact (the share of your revenue that depends on it, \
                      high at 10 % and above). High risk and high impact: qualify a second source. High \
                      risk, low impact: hold buffer stock. Low risk, high impact: monitor. Otherwise: \
                      low priority." }</p>
            </section>
        </article>
    }
}
