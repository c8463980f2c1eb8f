"""Fig. 1 / Proposition 5.2: the 1-D toy, scores against x and reweighting the low-|S| points."""

from fairscore.fairinfl.runs import toy_example
from fairscore.fairinfl.settings import Scoring
from fairscore.fileio import write_csv
from fairscore.reporting.fairinfl_figures import toy_figure
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run
from fairscore.settings import section


def main(inputs, params, outputs):
    toy = params.toy
    points, models = toy_example(**toy, scoring=section(Scoring, params.scores))
    write_csv(models, outputs.models)
    before, after = models.iloc[0], models.iloc[1]
    write_figure(toy_figure(points, models), points, dict(outputs.items()), name="fig_toy", dpi=params.figures["dpi"],
                 drop=f"{toy['drop_fraction']:.0%}", n=toy["n_per_cell"], before=f"{before['violation_abs']:.3f}",
                 after=f"{after['violation_abs']:.3f}", t_before=f"{before['threshold']:.3f}",
                 t_after=f"{after['threshold']:.3f}", means=", ".join(f"{k} = {v:g}" for k, v in toy["means"].items()))
    return {"seeds": {"toy_seed": toy["seed"]}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
