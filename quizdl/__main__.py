from quizdl.cli.app import main

main()
