"""Build tooling of the guide: what runs pages, checks them and times the build.

Page code never imports this package (it imports ``keras_guide``), so editing it
re-executes no page.
"""
