"""ivrgraph: the command line that ties the scenario core, the FastAGI server and the API together."""
