from ksafe.cli import main

main()
