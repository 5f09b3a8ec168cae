from tradeoff.cli.app import main

main()
