print("trowel-bench")
