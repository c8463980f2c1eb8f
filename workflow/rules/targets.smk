# A target for every figure and table of the papers that the pipeline builds, generated from the map
# workflow/targets.yaml (`fairscore targets` prints it): <paper>_<fig|table><number>, e.g.
# fairinfl_fig2, and the map's aliases, e.g. fig_fairinfl_adult. Each builds only its element's files.
from fairscore.pipeline.targets import load_targets


for _target in load_targets(workflow.basedir):
    for _name in _target.names:

        rule:
            name:
                _name
            localrule: True
            input:
                _target.files,
