"""One module per concern; each exports ``analyze(evidence) -> list[DiagnosisFinding]`` and is
registered in ``grove_mcp.diagnosis.registry``."""
