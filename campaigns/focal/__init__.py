"""Focal officers (cán bộ đầu mối): each agency names, per campaign, whom the Sở contacts for
the self-assessment, the survey and IT (seeds 000 and 003), by the `focal_officers` step."""
