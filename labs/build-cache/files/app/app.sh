#!/bin/sh
echo "app version 1"
echo "dependencies: $(cat /installed-deps.txt)"
